import 'reflect-metadata';
import { hello } from '#config';
console.log(hello('x'));
